-- 0017: the audit trail's hash chain (Audit/AuditChain.cs). Entries written before it keep no hash and are not checked.
ALTER TABLE "AuditEntries" ADD COLUMN "Hash" character varying(64);
