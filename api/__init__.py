"""The servicepunt's front doors: the FastAPI app, web pages and the command line.

Thin: it parses, authorises and calls the packages below it. Nothing imports api.
"""
