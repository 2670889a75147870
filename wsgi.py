"""WSGI entry point: `gunicorn wsgi:app`."""

import gc

from storefront import create_app

app = create_app()

# Everything made while loading the app (modules, the URL map, schemas, SQLAlchemy's
# mappers) lives as long as the worker. Frozen, it is left out of the garbage collector's
# full collections, which would otherwise walk about 150,000 objects and stall a request
# for tens of milliseconds now and then.
gc.freeze()
