-- Shared mailboxes: access control lists (RFC 4314). The owner of a mailbox
-- always has every right and needs no row; a row grants rights to another
-- account of the owner's tenant, or (grantee_id NULL) to anyone of it.
--
-- Both accounts are referenced together with the tenant: a grant can never
-- cross tenants, whatever the code that writes it.
CREATE UNIQUE INDEX accounts_tenant_key ON accounts (account_id, tenant_id);

CREATE TABLE acl (
  account_id  bigint NOT NULL,               -- the owner
  mailbox_id  bigint NOT NULL,
  tenant_id   bigint NOT NULL,               -- the owner's (and the grantee's) tenant
  grantee_id  bigint,                        -- NULL: anyone of the tenant
  rights      text NOT NULL,                 -- RFC 4314 letters, in the order of ACL_RIGHTS
  FOREIGN KEY (account_id, mailbox_id) REFERENCES mailboxes (account_id, mailbox_id) ON DELETE CASCADE,
  FOREIGN KEY (account_id, tenant_id) REFERENCES accounts (account_id, tenant_id) ON DELETE CASCADE,
  FOREIGN KEY (grantee_id, tenant_id) REFERENCES accounts (account_id, tenant_id) ON DELETE CASCADE,
  CHECK (rights ~ '^[lrswipkxtea]+$'),
  CHECK (grantee_id IS DISTINCT FROM account_id)
);
CREATE UNIQUE INDEX acl_entry ON acl (account_id, mailbox_id, coalesce(grantee_id, 0));
-- The mailboxes shared with an account (its own grants and its tenant's
-- "anyone" grants), for LIST: the one index not led by the owner's account.
CREATE INDEX acl_grantee ON acl (tenant_id, grantee_id);
