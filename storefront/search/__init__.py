"""Site search: one full-text index over products, exercises and articles.

`models` holds the index table, `index` keeps it up to date (every commit refreshes the
documents whose rows changed; `rebuild` starts over), `services` answers queries with
SQLite FTS5 or PostgreSQL full-text search, `vocabulary` finds close spellings of
misspelt words, and `api` is `GET /api/v1/search`.
"""
