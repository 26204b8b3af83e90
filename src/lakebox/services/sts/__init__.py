"""STS: who the caller is (GetCallerIdentity, GetAccessKeyInfo) and temporary credentials that lakebox
accepts (AssumeRole, AssumeRoleWithWebIdentity, GetSessionToken)."""
