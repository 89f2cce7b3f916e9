"""Publishing built feeds to the channels: uploads, Google Merchant API, Meta Catalog Batch API, Amazon SP-API Feeds."""
