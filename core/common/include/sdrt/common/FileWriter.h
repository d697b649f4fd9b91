#pragma once
// The one way the project writes a file (exports, reports, configs, weights, logs), plain C++ so
// core/model uses it too.
//
// AtomicFile replaces a whole file: the bytes go to a temporary file in the target's folder;
// every write, the flush to disk and the final rename are checked, and on any failure the
// temporary file is removed and the old file (if any) is left as it was. AppendFile adds lines
// to a log, checking every write. Both refuse a target that is not a regular file (a device such
// as /dev/null or /dev/full, a pipe, a socket, a folder): writing there would either lose the
// bytes without an error or, through a rename, replace the device node itself. A symbolic link
// to a regular file is followed: the file it points to is replaced.
//
// Errors are values that name the path; WriteError::describe() gives an English sentence, and
// Qt callers may translate by kind (store::describeWriteError).
//
// Thread rules: an AtomicFile or AppendFile is used by one thread at a time.

#include "sdrt/common/Expected.h"

#include <string>
#include <string_view>

namespace sdrt::common {

struct WriteError {
    enum class Kind {
        NotRegular,    // the target exists and is a device, pipe, socket, ...
        Folder,        // the target is a folder
        MissingFolder, // the folder that would hold it does not exist
        Exists,        // the target exists and replacing it was not allowed
        Io,            // open, write, flush, sync or rename failed (detail: the system's reason)
    };
    Kind kind = Kind::Io;
    std::string path;   // the target as given
    std::string detail; // the system's reason (strerror), for Io
    int systemError = 0; // errno, for Io (ENOSPC: the disk is full)
    std::string describe() const;
};

using WriteResult = Expected<void, WriteError>;

enum class Replace { Never, Allowed };

// Checks `path` as a target without writing: a regular file (or a link to one) or a free name in
// an existing folder; with Replace::Never an existing file is refused too.
WriteResult checkWriteTarget(const std::string &path, Replace replace = Replace::Allowed);

class AtomicFile {
public:
    AtomicFile() = default;
    AtomicFile(AtomicFile &&other) noexcept;
    AtomicFile &operator=(AtomicFile &&other) noexcept;
    AtomicFile(const AtomicFile &) = delete;
    AtomicFile &operator=(const AtomicFile &) = delete;
    ~AtomicFile(); // removes the temporary file unless committed

    // Checks the target and creates the temporary file beside it.
    static Expected<AtomicFile, WriteError> open(const std::string &path, Replace replace = Replace::Allowed);

    WriteResult write(std::string_view bytes);
    WriteResult write(const void *data, std::size_t size);
    // Flushes to disk, renames over the target and syncs the folder. After a failure the target is
    // untouched and this object is closed.
    WriteResult commit();
    // Drops the temporary file; the target is untouched.
    void discard();

    const std::string &path() const { return m_path; }

private:
    WriteResult failIo(const char *what, int error);

    std::string m_path;   // as given
    std::string m_target; // the regular file replaced (links followed)
    std::string m_temp;
    int m_fd = -1;
    Replace m_replace = Replace::Allowed;
};

// The whole file in one call.
WriteResult writeFileAtomically(const std::string &path, std::string_view bytes, Replace replace = Replace::Allowed);

class AppendFile {
public:
    AppendFile() = default;
    AppendFile(AppendFile &&other) noexcept;
    AppendFile &operator=(AppendFile &&other) noexcept;
    AppendFile(const AppendFile &) = delete;
    AppendFile &operator=(const AppendFile &) = delete;
    ~AppendFile();

    // Opens (creating when absent) a regular file for appending.
    static Expected<AppendFile, WriteError> open(const std::string &path);
    // Appends every byte or fails (a short write is retried until the system reports an error).
    WriteResult append(std::string_view bytes);
    // fdatasync: what was appended survives a power loss.
    WriteResult sync();
    bool isOpen() const { return m_fd >= 0; }
    const std::string &path() const { return m_path; }

private:
    std::string m_path;
    int m_fd = -1;
};

} // namespace sdrt::common
