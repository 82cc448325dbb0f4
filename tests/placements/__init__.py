"""Tests of the placement workflow."""
