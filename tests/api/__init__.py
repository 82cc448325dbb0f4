"""Tests of the servicepunt."""
