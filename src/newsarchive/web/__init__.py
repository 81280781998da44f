"""`archive serve`: the archive as web pages for a browser, each page also as JSON.

``create_app(home)`` (``newsarchive.web.app``) gives the ASGI application;
the command wraps it in uvicorn. It needs the ``web`` extra
(``pip install 'newsarchive[web]'``: FastAPI, Jinja2, uvicorn), imported
only here, so the rest of the archive never loads them.

    app.py        the routes: each page as HTML and as JSON, one handler each
    archives.py   one ``Archive`` per worker thread, and the threads the archive's work runs in
    forms.py      the query parameters of each page, checked, and the links that change them
    security.py   the token, the allowed hosts, the headers every response carries, safe links
    charts.py     the trend drawn as SVG bars (geometry only; the template writes the SVG)
"""
