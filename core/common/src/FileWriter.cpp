#include "sdrt/common/FileWriter.h"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sdrt::common {
namespace {

WriteError makeError(WriteError::Kind kind, const std::string &path, std::string detail = {}, int systemError = 0)
{
    return WriteError{kind, path, std::move(detail), systemError};
}

WriteError ioError(const std::string &path, int error, const std::string &what = {})
{
    return makeError(WriteError::Kind::Io, path, what + std::strerror(error), error);
}

std::string folderOf(const std::string &path)
{
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos)
        return ".";
    if (slash == 0)
        return "/";
    return path.substr(0, slash);
}

std::string nameOf(const std::string &path)
{
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

struct Target {
    std::string file; // the regular file to replace or create (links resolved)
    bool exists = false;
    mode_t mode = 0644;
};

Expected<Target, WriteError> resolveTarget(const std::string &path, Replace replace)
{
    if (path.empty())
        return unexpected(makeError(WriteError::Kind::MissingFolder, path, "no file name"));
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return unexpected(makeError(WriteError::Kind::Folder, path));
        if (!S_ISREG(st.st_mode))
            return unexpected(makeError(WriteError::Kind::NotRegular, path));
        if (replace == Replace::Never)
            return unexpected(makeError(WriteError::Kind::Exists, path));
        char resolved[PATH_MAX];
        if (!::realpath(path.c_str(), resolved))
            return unexpected(ioError(path, errno));
        return Target{resolved, true, mode_t(st.st_mode & 07777)};
    }
    const int statError = errno;
    struct stat lst {};
    if (::lstat(path.c_str(), &lst) == 0) // a link to nothing, or one we may not follow
        return unexpected(makeError(WriteError::Kind::NotRegular, path, "a link to a missing or unreadable file"));
    if (statError != ENOENT)
        return unexpected(ioError(path, statError));
    if (path.back() == '/')
        return unexpected(makeError(WriteError::Kind::Folder, path));
    struct stat dir {};
    const std::string folder = folderOf(path);
    if (::stat(folder.c_str(), &dir) != 0 || !S_ISDIR(dir.st_mode))
        return unexpected(makeError(WriteError::Kind::MissingFolder, path, folder));
    return Target{path, false, 0644};
}

bool writeAll(int fd, const char *data, std::size_t size, int &error)
{
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            error = errno;
            return false;
        }
        if (n == 0) {
            error = EIO;
            return false;
        }
        data += n;
        size -= std::size_t(n);
    }
    return true;
}

void syncFolder(const std::string &file)
{
    // Makes the rename itself durable; some file systems refuse fsync on a folder (ignored: the
    // rename has happened and the data was synced before it).
    const int fd = ::open(folderOf(file).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)::fsync(fd);
        ::close(fd);
    }
}

} // namespace

std::string WriteError::describe() const
{
    switch (kind) {
    case Kind::NotRegular:
        return path + " is not a regular file (a device, pipe or socket" + (detail.empty() ? "" : ", or " + detail)
               + "); only regular files are written";
    case Kind::Folder:
        return path + " is a folder; give a file name";
    case Kind::MissingFolder:
        return "cannot write " + path + ": the folder " + detail + " does not exist";
    case Kind::Exists:
        return path + " already exists and is not replaced";
    case Kind::Io:
        break;
    }
    return "cannot write " + path + ": " + detail;
}

WriteResult checkWriteTarget(const std::string &path, Replace replace)
{
    auto t = resolveTarget(path, replace);
    if (!t)
        return unexpected(t.error());
    return {};
}

// --- AtomicFile -------------------------------------------------------------------------------

AtomicFile::AtomicFile(AtomicFile &&o) noexcept
    : m_path(std::move(o.m_path)), m_target(std::move(o.m_target)), m_temp(std::move(o.m_temp)), m_fd(o.m_fd), m_replace(o.m_replace)
{
    o.m_fd = -1;
    o.m_temp.clear();
}

AtomicFile &AtomicFile::operator=(AtomicFile &&o) noexcept
{
    if (this != &o) {
        discard();
        m_path = std::move(o.m_path);
        m_target = std::move(o.m_target);
        m_temp = std::move(o.m_temp);
        m_fd = o.m_fd;
        m_replace = o.m_replace;
        o.m_fd = -1;
        o.m_temp.clear();
    }
    return *this;
}

AtomicFile::~AtomicFile()
{
    discard();
}

Expected<AtomicFile, WriteError> AtomicFile::open(const std::string &path, Replace replace)
{
    auto target = resolveTarget(path, replace);
    if (!target)
        return unexpected(target.error());
    AtomicFile f;
    f.m_path = path;
    f.m_target = target->file;
    f.m_replace = replace;
    std::string pattern = folderOf(target->file) + "/." + nameOf(target->file) + ".tmp-XXXXXX";
    const int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
    if (fd < 0)
        return unexpected(ioError(path, errno));
    f.m_fd = fd;
    f.m_temp = pattern;
    (void)::fchmod(fd, target->mode); // the old file's permissions; a new file's: rw-r--r--
    return f;
}

WriteResult AtomicFile::failIo(const char *what, int error)
{
    discard();
    return unexpected(ioError(m_path, error, what));
}

WriteResult AtomicFile::write(std::string_view bytes)
{
    return write(bytes.data(), bytes.size());
}

WriteResult AtomicFile::write(const void *data, std::size_t size)
{
    if (m_fd < 0)
        return unexpected(makeError(WriteError::Kind::Io, m_path, "the file is closed after an earlier error"));
    int error = 0;
    if (!writeAll(m_fd, static_cast<const char *>(data), size, error))
        return failIo("", error);
    return {};
}

WriteResult AtomicFile::commit()
{
    if (m_fd < 0)
        return unexpected(makeError(WriteError::Kind::Io, m_path, "the file is closed after an earlier error"));
    if (::fsync(m_fd) != 0)
        return failIo("", errno);
    const int fd = m_fd;
    m_fd = -1;
    if (::close(fd) != 0) {
        const int e = errno;
        ::unlink(m_temp.c_str());
        m_temp.clear();
        return unexpected(ioError(m_path, e));
    }
    // The target may have become something else since open() (a device put in its place).
    struct stat st {};
    if (::lstat(m_target.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
        ::unlink(m_temp.c_str());
        m_temp.clear();
        return unexpected(makeError(S_ISDIR(st.st_mode) ? WriteError::Kind::Folder : WriteError::Kind::NotRegular, m_path));
    }
    // Not replacing: link() fails when a file of that name appeared since open().
    const bool moved = m_replace == Replace::Never ? ::link(m_temp.c_str(), m_target.c_str()) == 0 && ::unlink(m_temp.c_str()) == 0
                                                   : ::rename(m_temp.c_str(), m_target.c_str()) == 0;
    if (!moved) {
        const int e = errno;
        if (e == EEXIST) {
            ::unlink(m_temp.c_str());
            m_temp.clear();
            return unexpected(makeError(WriteError::Kind::Exists, m_path));
        }
        ::unlink(m_temp.c_str());
        m_temp.clear();
        return unexpected(ioError(m_path, e));
    }
    m_temp.clear();
    syncFolder(m_target);
    return {};
}

void AtomicFile::discard()
{
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
    if (!m_temp.empty()) {
        ::unlink(m_temp.c_str());
        m_temp.clear();
    }
}

WriteResult writeFileAtomically(const std::string &path, std::string_view bytes, Replace replace)
{
    auto f = AtomicFile::open(path, replace);
    if (!f)
        return unexpected(f.error());
    if (auto w = f->write(bytes); !w)
        return w;
    return f->commit();
}

// --- AppendFile -------------------------------------------------------------------------------

AppendFile::AppendFile(AppendFile &&o) noexcept : m_path(std::move(o.m_path)), m_fd(o.m_fd)
{
    o.m_fd = -1;
}

AppendFile &AppendFile::operator=(AppendFile &&o) noexcept
{
    if (this != &o) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_path = std::move(o.m_path);
        m_fd = o.m_fd;
        o.m_fd = -1;
    }
    return *this;
}

AppendFile::~AppendFile()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

Expected<AppendFile, WriteError> AppendFile::open(const std::string &path)
{
    if (auto t = resolveTarget(path, Replace::Allowed); !t)
        return unexpected(t.error());
    // O_NONBLOCK: a FIFO put there since the check fails at once instead of blocking.
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0644);
    if (fd < 0)
        return unexpected(ioError(path, errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return unexpected(makeError(WriteError::Kind::NotRegular, path));
    }
    (void)::fcntl(fd, F_SETFL, O_APPEND);
    AppendFile f;
    f.m_path = path;
    f.m_fd = fd;
    return f;
}

WriteResult AppendFile::append(std::string_view bytes)
{
    if (m_fd < 0)
        return unexpected(makeError(WriteError::Kind::Io, m_path, "not open"));
    int error = 0;
    if (!writeAll(m_fd, bytes.data(), bytes.size(), error))
        return unexpected(ioError(m_path, error));
    return {};
}

WriteResult AppendFile::sync()
{
    if (m_fd < 0)
        return unexpected(makeError(WriteError::Kind::Io, m_path, "not open"));
    if (::fdatasync(m_fd) != 0)
        return unexpected(ioError(m_path, errno));
    return {};
}

} // namespace sdrt::common
