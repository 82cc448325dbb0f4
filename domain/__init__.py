"""Shared vocabulary of the servicepunt: care forms, perspectives, municipalities, codes.

Every other package imports from here; this package imports nothing of the project.
"""
