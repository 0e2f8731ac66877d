-- Decoded text for SEARCH, computed once when a body is stored: header lines
-- with encoded-words decoded, and the text parts with their transfer
-- encoding undone and converted from their charset. NULL for bodies stored
-- before this migration: SEARCH then falls back to the raw bytes.
ALTER TABLE message_bodies ADD COLUMN search_header text;
ALTER TABLE message_bodies ADD COLUMN search_body text;
