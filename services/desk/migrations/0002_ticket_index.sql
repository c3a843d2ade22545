-- "Has open ticket" (GET /api/conversations?has_open_ticket=) looks for a ticket notice in a
-- chat's current conversation: an index of just those messages keeps it off the messages table.
CREATE INDEX messages_ticket_notices ON messages (chat_ref, conversation) WHERE purpose = 'ticket';
