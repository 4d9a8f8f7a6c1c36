using System.Security.Cryptography.X509Certificates;

namespace FedLearn.Identity;

/// <summary>Writes PEM files: private keys with mode 600 from the first byte, certificates world-readable.</summary>
public static class CredentialFiles
{
    public static void WritePrivate(string path, string pem)
    {
        CreateDirectoryFor(path);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        // Replace atomically so a reader never sees half a key, and a pre-existing file's wider mode is not inherited.
        var temporary = path + ".tmp";
        File.Delete(temporary);
        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(pem);
        }
        File.Move(temporary, path, overwrite: true);
    }

    public static void WritePublic(string path, string pem)
    {
        CreateDirectoryFor(path);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, pem);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>A certificate with its private key from two PEM files.</summary>
    public static X509Certificate2 LoadWithKey(string certificatePath, string keyPath)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        // Re-import through PKCS#12 so the key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    private static void CreateDirectoryFor(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
    }
}
