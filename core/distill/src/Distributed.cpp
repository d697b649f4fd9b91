// Data-parallel distillation over PyTorch's own c10d engine: a TCP store for the rendezvous and
// a Gloo process group for the all-reduce (CPU tensors; the vectors are the student's small
// gradients, so Gloo serves a CUDA run as well).

#include "sdrt/distill/Trainer.h"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/torch.h>

#include <chrono>

namespace sdrt::distill {
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

private:
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
        opts.waitWorkers = true;
        opts.timeout = std::chrono::seconds(timeoutSeconds);
        auto store = c10::make_intrusive<c10d::TCPStore>(addr, opts);
        auto options = c10d::ProcessGroupGloo::Options::create(std::chrono::seconds(timeoutSeconds));
        options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(addr));
        auto group = c10::make_intrusive<c10d::ProcessGroupGloo>(store, rank, worldSize, options);
        return std::unique_ptr<Communicator>(new GlooCommunicator(rank, worldSize, store, group));
    } catch (const std::exception &e) {
        return unexpected("cannot join the process group at " + addr + ":" + std::to_string(port) + " as rank "
                          + std::to_string(rank) + " of " + std::to_string(worldSize) + ": " + e.what());
    }
}

} // namespace sdrt::distill
