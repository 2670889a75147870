"""WSGI entry point: `gunicorn wsgi:app`."""

import gc
import logging
import os

from storefront import create_app

# Warnings (a Redis that went away, a payment that does not match its order, test payments
# in production) reach the worker's stderr, where gunicorn and the platform collect them.
logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING").upper(),
                    format="%(asctime)s %(levelname)s %(name)s: %(message)s")

app = create_app()

# Everything made while loading the app (modules, the URL map, schemas, SQLAlchemy's
# mappers) lives as long as the worker. Frozen, it is left out of the garbage collector's
# full collections, which would otherwise walk about 150,000 objects and stall a request
# for tens of milliseconds now and then.
gc.freeze()
