"""Pure domain rules (no Flask, no database): identifiers, masking, contract terms."""
