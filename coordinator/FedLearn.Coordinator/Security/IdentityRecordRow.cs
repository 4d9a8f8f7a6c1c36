namespace FedLearn.Coordinator.Security;

/// <summary>One row of the identities table, with the expiry of its newest certificate.</summary>
internal sealed record IdentityRecordRow(string Name, string Role, string Status, DateTimeOffset UpdatedAt, DateTimeOffset? CertificateNotAfter);
