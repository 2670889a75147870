"""Mail: messages written to the outbox in the transaction that causes them, sent afterwards.

- `render`: the Jinja templates of the shop's emails (text and HTML parts).
- `outbox`: queueing a message (`queue_message`) and delivering what is due
  (`deliver_pending`), with retries and backoff.
- `transport`: how a message leaves: SMTP (`MAIL_URL`), or an `.eml` file in development.
- `after_commit`: the app's hook that delivers a request's new messages after its response.

Nothing here reads Flask's globals; services receive the session and the settings.
"""

from .outbox import DeliveryReport, deliver_messages, deliver_pending, queue_message

__all__ = ["DeliveryReport", "deliver_messages", "deliver_pending", "queue_message"]
