"""`archive serve`: the archive as web pages for a browser, each page also as JSON.

``create_app(config)`` (``newsarchive.web.app``) gives the ASGI application;
``server`` serves it with uvicorn. It needs the ``web`` extra
(``pip install 'newsarchive[web]'``: FastAPI, Jinja2, uvicorn), imported
only here, so the rest of the archive never loads them.

    app.py        the routes: each page as HTML and as JSON, one handler each
    archives.py   one ``Archive`` per worker thread, and the threads the archive's work runs in
    forms.py      the query parameters of each page, checked, and the links that change them
    security.py   the token, the allowed hosts, the headers every response carries, safe links
    charts.py     the trend drawn as SVG bars (geometry only; the template writes the SVG)
    filters.py    how the templates write a snippet's marks, dates, languages and links
    server.py     the token's rule, the listening socket, uvicorn and its processes
"""
