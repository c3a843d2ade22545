-- Erasure of a customer's personal data (DELETE /contacts/:phone): the contact's name, phone
-- and email are cleared and the time recorded; its tickets keep number, status, department
-- and dates (figures staff still count), with subject and description replaced.
ALTER TABLE contacts ADD COLUMN erased_at timestamptz;
