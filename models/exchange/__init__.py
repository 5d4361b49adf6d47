"""The signed exchange between the units and the district office (issue 15).

No server stands between the units and the district, so every file carries its own proof:
each installation has an Ed25519 key (``keys``), report workbooks carry a signature in
their hidden 报表信息 sheet and the PDF a 核验码 with a QR code (``models.reporting``), and
the district trusts a unit's key from its first valid file (``enrolment``).

Small API for anything else that travels between installations (notices, task-list
packages)::

    from models.exchange.packages import sign_package, verify_package, open_package

    blob = sign_package(ws.db, payload_bytes, kind="tasklist")   # at the district
    package = verify_package(ws.db, blob, kind="tasklist")       # at a unit: checks the
    package.payload, package.fingerprint, package.first_use      # signature, learns the
                                                                  # district's key on first
                                                                  # use, refuses another one
    open_package(blob, kind="tasklist")   # signature only, no trust decision

Errors are :class:`models.store.keys.SignatureError` (an ``AppError`` with a Chinese
message). The private key never leaves the database (see ``keys``).
"""
