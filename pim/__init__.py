"""pim: catalog-as-code product information, validated and rendered into every channel's feed."""
