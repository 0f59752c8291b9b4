"""The console's pages: each a route that calls one API client and renders a template."""
