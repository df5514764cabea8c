"""Sending the 好差评 book to the platform over the terminal's one platform client.

Each rating goes with its own idempotency key (the platform stores it once); its answer is read by the same
table as a submission's (:func:`offline_cache.courier.classify`): sent on 201 with a ``rating_receipt``
envelope, refused for good on 400/409/413/422 (kept in the book, never sent again), and anything else (no
network, a portal, 5xx, a token problem) ends the round: the rest wait for the next one.
"""

from __future__ import annotations

import logging

from kiosk.records.ratings import RatingBook
from offline_cache.courier import PlatformClient, Verdict
from offline_cache.wire.protocol import PATH_RATINGS

log = logging.getLogger(__name__)

#: Seconds for each wait on the platform's answer to one rating.
RATING_TIMEOUT = 10.0


def send_pending_ratings(book: RatingBook, client: PlatformClient) -> int:
    """Send what is unsent, oldest first; returns how many the platform acknowledged."""
    sent = 0
    for rating_id, body in book.pending():
        outcome = client.deliver_json(
            PATH_RATINGS, body, idempotency_key=rating_id, receipt_kind="rating_receipt", timeout=RATING_TIMEOUT
        )
        if outcome.verdict is Verdict.SENT:
            book.mark_sent(rating_id)
            sent += 1
        elif outcome.verdict is Verdict.QUARANTINE:
            log.warning("ratings: platform refused rating %s (%s)", rating_id, outcome.message)
            book.mark_refused(rating_id)
        else:
            log.info("ratings: not sent now (%s); will retry", outcome.message)
            break
    return sent
