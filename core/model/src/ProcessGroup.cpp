// Data-parallel distillation over PyTorch's own c10d engine: a TCP store for the rendezvous and
// a Gloo process group for the all-reduce (CPU tensors; the vectors are the student's small
// gradients, so Gloo serves a CUDA run as well).

#include "sdrt/model/StudentTraining.h"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/torch.h>

#include <chrono>
#include <thread>

namespace sdrt::model {
namespace {

class GlooCommunicator : public Communicator {
public:
    GlooCommunicator(int rank, int world, c10::intrusive_ptr<c10d::Store> store, c10::intrusive_ptr<c10d::ProcessGroupGloo> group)
        : m_rank(rank), m_world(world), m_store(std::move(store)), m_group(std::move(group))
    {
    }
    int rank() const override { return m_rank; }
    int worldSize() const override { return m_world; }
    Expected<void, std::string> allreduceSum(std::vector<float> &values) override
    {
        try {
            std::vector<at::Tensor> tensors{torch::from_blob(values.data(), {std::int64_t(values.size())}, torch::kFloat32)};
            m_group->allreduce(tensors)->wait();
            return {};
        } catch (const std::exception &e) {
            return unexpected(std::string(e.what()));
        }
    }

    Expected<std::vector<std::string>, std::string> allGather(const std::string &value) override
    {
        try {
            const std::string prefix = "sdrt/gather/" + std::to_string(m_gathers++) + "/";
            m_store->set(prefix + std::to_string(m_rank), std::vector<std::uint8_t>(value.begin(), value.end()));
            std::vector<std::string> out;
            for (int r = 0; r < m_world; ++r) {
                const auto bytes = m_store->get(prefix + std::to_string(r)); // waits up to the store's timeout
                out.emplace_back(bytes.begin(), bytes.end());
            }
            return out;
        } catch (const std::exception &e) {
            return unexpected(std::string(e.what()));
        }
    }

private:
    int m_gathers = 0;
    int m_rank, m_world;
    c10::intrusive_ptr<c10d::Store> m_store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> m_group;
};

} // namespace

Expected<std::unique_ptr<Communicator>, std::string> joinProcessGroup(int rank, int worldSize, const std::string &addr, int port,
                                                                      int timeoutSeconds)
{
    if (worldSize < 1 || rank < 0 || rank >= worldSize)
        return unexpected("rank " + std::to_string(rank) + " is outside a world of " + std::to_string(worldSize));
    if (port <= 0 || port > 65535)
        return unexpected("the master port " + std::to_string(port) + " is not a port number");
    try {
        c10d::TCPStoreOptions opts;
        opts.port = std::uint16_t(port);
        opts.isServer = rank == 0;
        opts.numWorkers = std::size_t(worldSize);
        // c10d's own wait for the workers gives up silently and leaves the rest to Gloo's
        // rendezvous, which waits as long again; one barrier with a deadline instead.
        opts.waitWorkers = false;
        opts.timeout = std::chrono::seconds(timeoutSeconds);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds);
        c10::intrusive_ptr<c10d::TCPStore> store;
        try {
            store = c10::make_intrusive<c10d::TCPStore>(addr, opts);
        } catch (const std::exception &e) {
            return unexpected(rank == 0 ? "rank 0 cannot listen at " + addr + ":" + std::to_string(port) + " (" + e.what()
                                              + "); is another program using the port? Choose another --master-port"
                                        : "rank " + std::to_string(rank) + " could not reach rank 0 at " + addr + ":" + std::to_string(port)
                                              + " within " + std::to_string(timeoutSeconds) + " s (" + e.what() + ")");
        }
        std::int64_t arrived = store->add("sdrt/joined", 1);
        while (arrived < worldSize) {
            if (std::chrono::steady_clock::now() > deadline)
                return unexpected("rank " + std::to_string(rank) + " waited " + std::to_string(timeoutSeconds) + " s at " + addr + ":"
                                  + std::to_string(port) + " for the ranks of a world of " + std::to_string(worldSize) + "; "
                                  + std::to_string(arrived) + " arrived. Start every rank (the same command with --rank 0 to "
                                  + std::to_string(worldSize - 1) + "), or raise --rendezvous-timeout");
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            arrived = store->add("sdrt/joined", 0);
        }
        auto options = c10d::ProcessGroupGloo::Options::create(std::chrono::seconds(timeoutSeconds));
        options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(addr));
        auto group = c10::make_intrusive<c10d::ProcessGroupGloo>(store, rank, worldSize, options);
        return std::unique_ptr<Communicator>(new GlooCommunicator(rank, worldSize, store, group));
    } catch (const std::exception &e) {
        return unexpected("cannot join the process group at " + addr + ":" + std::to_string(port) + " as rank "
                          + std::to_string(rank) + " of " + std::to_string(worldSize) + ": " + e.what());
    }
}

} // namespace sdrt::model
