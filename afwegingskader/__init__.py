"""The afwegingskader: from a child's profile to an explained first-best care-form advice.

Pure: no IO frameworks. The rules are data (rules/*.yaml), loaded and validated by
afwegingskader.ruleset and applied by afwegingskader.engine.
"""
