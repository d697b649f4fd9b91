#include "Distributed.h"

#include <QCoreApplication>
#include <QCryptographicHash>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <thread>

namespace sdrt::distill {
namespace {

std::atomic_bool g_rendezvousStuck{false};

} // namespace

bool rendezvousThreadStuck()
{
    return g_rendezvousStuck;
}

int freeLoopbackPort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 29500;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    int port = 29500;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0 && ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) == 0)
        port = ntohs(a.sin_port);
    ::close(fd);
    return port;
}

Result<std::unique_ptr<LocalRanks>> LocalRanks::start(const QString &program, const std::function<QStringList(const LocalRank &)> &arguments,
                                                      LocalRank spec, int localRanks)
{
    auto ranks = std::make_unique<LocalRanks>();
    for (int r = 1; r < localRanks; ++r) {
        spec.rank = r;
        auto proc = std::make_unique<QProcess>();
        proc->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        proc->setStandardOutputFile(QProcess::nullDevice());
        proc->start(program.isEmpty() ? QCoreApplication::applicationFilePath() : program, arguments(spec));
        if (!proc->waitForStarted())
            return fail(QCoreApplication::translate("sdrt::distill", "Cannot start rank %1: %2").arg(r).arg(proc->errorString()));
        ranks->m_processes.push_back(std::move(proc));
    }
    return ranks;
}

LocalRanks::~LocalRanks()
{
    kill();
    wait();
}

void LocalRanks::kill()
{
    for (auto &p : m_processes)
        if (p->state() != QProcess::NotRunning)
            p->kill();
}

void LocalRanks::wait()
{
    for (auto &p : m_processes)
        p->waitForFinished(-1);
}

Result<std::unique_ptr<model::Communicator>> joinWithDeadline(const DistillPlace &place, int seconds)
{
    using Joined = Expected<std::unique_ptr<model::Communicator>, std::string>;
    auto promise = std::make_shared<std::promise<Joined>>();
    std::future<Joined> joined = promise->get_future();
    std::thread([promise, place, host = place.address.toStdString(), seconds] {
        promise->set_value(model::joinProcessGroup(place.rank, place.worldSize, host, place.port, seconds));
    }).detach();
    if (joined.wait_for(std::chrono::seconds(seconds + 15)) != std::future_status::ready) {
        g_rendezvousStuck = true;
        return fail(QCoreApplication::translate("sdrt::distill", "the rendezvous at %1:%2 did not return within %3 s (rank %4 of %5); is another program using the port?")
                        .arg(place.address)
                        .arg(place.port)
                        .arg(seconds + 15)
                        .arg(place.rank)
                        .arg(place.worldSize));
    }
    auto c = joined.get();
    if (!c)
        return fail(QString::fromStdString(c.error()));
    return std::move(*c);
}

Result<void> sameRunOnEveryRank(model::Communicator &comm, const QByteArray &configJson, const QString &baseHash, const Dataset &data)
{
    QCryptographicHash traces(QCryptographicHash::Sha256);
    for (const auto &e : data.training.examples)
        traces.addData(QByteArray::number(qint64(e.traceId)) + ',');
    const QString mine = QStringLiteral("%1 %2 %3")
                             .arg(QString::fromLatin1(QCryptographicHash::hash(configJson, QCryptographicHash::Sha256).toHex().left(16)),
                                  baseHash.left(16), QString::fromLatin1(traces.result().toHex().left(16)));
    auto all = comm.allGather(mine.toStdString());
    if (!all)
        return fail(QCoreApplication::translate("sdrt::distill", "the ranks could not compare their settings: %1").arg(QString::fromStdString(all.error())));
    const QStringList reference = QString::fromStdString(all->at(0)).split(QLatin1Char(' '));
    QStringList problems;
    for (std::size_t r = 1; r < all->size(); ++r) {
        const QStringList other = QString::fromStdString(all->at(r)).split(QLatin1Char(' '));
        QStringList what;
        if (other.value(0) != reference.value(0))
            what << QCoreApplication::translate("sdrt::distill", "config");
        if (other.value(1) != reference.value(1))
            what << QCoreApplication::translate("sdrt::distill", "base model");
        if (other.value(2) != reference.value(2))
            what << QCoreApplication::translate("sdrt::distill", "training traces");
        if (!what.isEmpty())
            problems << QCoreApplication::translate("sdrt::distill", "rank %1's %2").arg(r).arg(what.join(QStringLiteral(", ")));
    }
    if (!problems.isEmpty())
        return fail(QCoreApplication::translate("sdrt::distill", "the ranks would not train the same run: %1 differ from rank 0's. Every rank needs the same workspace, "
                       "base model, config and approvals; no rank trains.")
                        .arg(problems.join(QStringLiteral("; "))));
    return {};
}

} // namespace sdrt::distill
