package ai.appliance.runtime.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.Set;

/**
 * Who may read the audit trail: the appliance's own user (files 0600, folder 0700) or, when a group is
 * configured, that group too (0640, 0750, group set on each). Audit lines name clients, keys and prompt digests;
 * they are not for every local account. On a file system without POSIX permissions nothing is changed.
 */
public final class AuditFiles {

    private final String group;

    /** @param group null: the owner only */
    public AuditFiles(String group) {
        this.group = group == null || group.isBlank() ? null : group;
    }

    public static AuditFiles ownerOnly() {
        return new AuditFiles(null);
    }

    static boolean supportsPosix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /** Creates {@code directory} if needed and sets its permissions (and group). */
    public void prepareDirectory(Path directory) {
        try {
            Files.createDirectories(directory);
            restrict(directory, group == null ? "rwx------" : "rwxr-x---");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the audit directory " + directory + ": " + e.getMessage(), e);
        }
    }

    /** Creates {@code file} if needed with the audit permissions (and group), and fixes them if it exists. */
    public void prepareFile(Path file) throws IOException {
        var mode = group == null ? "rw-------" : "rw-r-----";
        if (!Files.exists(file)) {
            if (supportsPosix(file.toAbsolutePath().getParent())) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
            } else {
                Files.createFile(file);
            }
        }
        restrict(file, mode);
    }

    private void restrict(Path path, String mode) throws IOException {
        if (!supportsPosix(path.toAbsolutePath())) {
            return;
        }
        Set<PosixFilePermission> permissions = PosixFilePermissions.fromString(mode);
        var view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        view.setPermissions(permissions);
        if (group != null) {
            view.setGroup(groupPrincipal(path));
        }
    }

    private GroupPrincipal groupPrincipal(Path path) throws IOException {
        try {
            return path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
        } catch (UserPrincipalNotFoundException e) {
            throw new IllegalArgumentException("audit.file-group: there is no group '" + group + "' on this host");
        }
    }
}
