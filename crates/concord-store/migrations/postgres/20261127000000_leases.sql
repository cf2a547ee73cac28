-- Named leases: one holder at a time across every process sharing the database (e.g. one Oro
-- order's submission), taken over only once the holder's lease has expired.
CREATE TABLE leases (
    name       TEXT   PRIMARY KEY,
    holder     TEXT   NOT NULL,
    expires_at BIGINT NOT NULL
);

-- A claim on creating a Cin7 customer used to be a no-op job in the queue; it is a lease now.
DELETE FROM jobs WHERE kind = 'customer.claim';
