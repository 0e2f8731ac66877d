-- Aliases: further addresses of an account, for delivery. An alias names an
-- account of its own tenant; '@domain' is the tenant's catch-all, taking mail
-- for any address of the domain that is neither an account nor an alias.
-- Like tenants and accounts this is a directory, looked up by address (a
-- reference table if the schema is ever distributed by account).

-- Lets an alias name its account and tenant together, so that the database
-- itself refuses an alias whose account belongs to another tenant.
ALTER TABLE accounts ADD CONSTRAINT accounts_account_tenant UNIQUE (account_id, tenant_id);

CREATE TABLE aliases (
  address     text PRIMARY KEY,                 -- lower case: user@domain, or @domain for the catch-all
  tenant_id   bigint NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
  account_id  bigint NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (account_id, tenant_id) REFERENCES accounts (account_id, tenant_id) ON DELETE CASCADE,
  CHECK (address = lower(address) AND position('@' IN address) > 0)
);
CREATE INDEX aliases_account ON aliases (account_id);
CREATE INDEX aliases_tenant ON aliases (tenant_id);
