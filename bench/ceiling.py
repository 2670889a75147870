"""The ceiling: a bare Flask app that answers one constant JSON body.

bench/run.py saves a real product detail response to a file and points BENCH_CEILING_BODY
at it, so this app sends the same bytes with no database, no schema and no shop code in
the way. It runs under the same gunicorn settings as the shop; no shop endpoint can beat it.
"""

import os
from pathlib import Path

from flask import Flask, Response

BODY = Path(os.environ["BENCH_CEILING_BODY"]).read_bytes()

app = Flask(__name__)


@app.get("/ceiling")
def ceiling():
    return Response(BODY, mimetype="application/json")
