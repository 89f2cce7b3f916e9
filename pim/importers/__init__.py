"""`pim import`: spreadsheets (a Shopify product export, or any CSV with a column mapping) into catalog files.

Flow: a table file -> neutral rows (`rows.py`; `shopify.py` and `csv_mapping.py` name the columns)
-> products, attributes, families and categories planned in memory (`plan.py`, `vocabulary.py`)
-> merged into the project's files and validated with the real loader (`files.py`)
-> written all at once through a staging folder (`write.py`).
"""
