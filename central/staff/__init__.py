"""Assisted handling (帮办代办) at the platform: a hall's staff accounts, the 委托 each assisted case carries,
and the case lifecycle (受理 → 办理 → 中止/续办 → 办结/终止 → 回交 → 回访) served back to the laptops.

- :mod:`central.staff.accounts`: accounts with their scrypt hashes (``offline_cache.wire.staff_hash``);
- :mod:`central.staff.lifecycle`: the states, who may move a case, and the paged ``GET /api/v1/cases``;
- :mod:`central.staff.screening`: the check of an opened payload before intake stores it (the 422
  ``authorization_invalid``) and what is recorded with it (a case, or a laptop's 回交/回访 ``case_event``);
- :mod:`central.staff.cli`: ``kiosk-central staff …`` and ``kiosk-central case advance``.

The wire contract is docs/protocol.md, "Assisted handling".
"""
