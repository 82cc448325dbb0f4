"""Performance benchmarks; each writes its figures to benchmarks/results/.

A package, so that mypy tells benchmarks/simulations.py from the simulations package.
"""
