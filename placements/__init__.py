"""The placement workflow: referral -> advice -> proposals -> hold -> decision -> placement.

Every step is a keyword-only service function that flushes and never commits: the caller
(an HTTP request or a CLI command) owns the transaction. Every difference between the
advice and the placement is written to the deviation log with its reason.
"""
