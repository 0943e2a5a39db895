"""The Pulumi program's own modules beside `__main__.py`: what only the running program needs."""
