"""The matcher: afwegingskader advice x live capacity -> proposals for one child, plans for all.

matcher.scoring and matcher.solver are pure (no IO frameworks); matcher.instance reads the
batch instance format and renders plans as JSON for the command line.
"""
