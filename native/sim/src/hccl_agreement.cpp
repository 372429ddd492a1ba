// Ascend.Interop simulator, HCCL object: before any payload moves, the ranks a collective involves exchange a small
// header (what each rank passed) and compare them. A mismatch (count, data type, reduction, root, which collective,
// send/recv pairing) fails the collective on each of them with both sides' values named, instead of payloads of
// different sizes meeting in Gloo's transport thread (an exception there aborts the process).
//
// Every header goes pairwise on one slot, for collectives to every other rank, for send/recv to the peer only, so a
// rank in a collective and a rank sending to it also see each other's header (pairs match in issue order).
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <gloo/context.h>
#include <gloo/transport/unbound_buffer.h>

#include "hccl_internal.h"

namespace sim {
namespace hccl {
namespace {

constexpr uint64_t kHeaderSlot = 0x48434c48;  // "HCLH"
constexpr uint32_t kHeaderMagic = 0x31524448;  // "HDR1"

struct Header {
    uint32_t magic;
    uint32_t kind;    // Kind
    uint64_t count;
    int32_t dtype;
    int32_t op;       // -1: not a reduction
    int32_t root;     // Broadcast root, Send destination, Recv source; -1 otherwise
    uint32_t rank;    // who sent it
};
static_assert(sizeof(Header) == 32, "the header is part of the simulator's wire format");

Header header_of(const Comm& c, const Collective& k) {
    Header h;
    memset(&h, 0, sizeof h);
    h.magic = kHeaderMagic;
    h.kind = static_cast<uint32_t>(k.kind);
    h.rank = c.rank;
    h.op = -1;
    h.root = -1;
    h.dtype = -1;
    if (k.kind == Kind::Barrier) return h;
    h.count = k.count;
    h.dtype = static_cast<int32_t>(k.dtype);
    if (k.kind == Kind::AllReduce || k.kind == Kind::ReduceScatter) h.op = static_cast<int32_t>(k.op);
    if (k.kind == Kind::Broadcast || k.kind == Kind::Send || k.kind == Kind::Recv) h.root = static_cast<int32_t>(k.root);
    return h;
}

bool point_to_point(uint32_t kind) {
    return kind == static_cast<uint32_t>(Kind::Send) || kind == static_cast<uint32_t>(Kind::Recv);
}

std::string call_of(const Header& h) {
    std::string s = kind_function(static_cast<Kind>(h.kind));
    if (h.kind == static_cast<uint32_t>(Kind::Send)) s += " to rank " + std::to_string(h.root);
    if (h.kind == static_cast<uint32_t>(Kind::Recv)) s += " from rank " + std::to_string(h.root);
    return s;
}

std::string dtype_text(int32_t t) {
    return std::string(dtype_name(static_cast<HcclDataType>(t))) + " (" + std::to_string(t) + ")";
}

// The first field in which `b` differs from `a` (both the same kind of call), as "<field>: rank A passed X, rank B
// passed Y"; "" when they agree.
std::string differ(const Header& a, const Header& b) {
    auto two = [&](const char* field, const std::string& va, const std::string& vb) {
        return std::string(field) + ": rank " + std::to_string(a.rank) + " passed " + va + ", rank " +
               std::to_string(b.rank) + " passed " + vb;
    };
    if (a.kind != b.kind)
        return "which collective they call: rank " + std::to_string(a.rank) + " called " + call_of(a) + ", rank " +
               std::to_string(b.rank) + " called " + call_of(b);
    if (a.dtype != b.dtype) return two("the data type", dtype_text(a.dtype), dtype_text(b.dtype));
    if (a.count != b.count) return two("the count", std::to_string(a.count), std::to_string(b.count));
    if (a.op != b.op)
        return two("the reduction", std::string(op_name(static_cast<HcclReduceOp>(a.op))) + " (" + std::to_string(a.op) + ")",
                   std::string(op_name(static_cast<HcclReduceOp>(b.op))) + " (" + std::to_string(b.op) + ")");
    if (a.root != b.root) return two("the root", std::to_string(a.root), std::to_string(b.root));
    return "";
}

// Send/recv between `mine` and the peer's header: they must be a send and a receive of one size and type.
std::string differ_pair(const Header& mine, const Header& peer) {
    if (!point_to_point(peer.kind)) return differ(mine, peer);  // the peer is in a collective
    std::string me = std::to_string(mine.rank), it = std::to_string(peer.rank);
    if (mine.kind == peer.kind)
        return "the pairing: ranks " + me + " and " + it + " both called " + kind_function(static_cast<Kind>(mine.kind)) +
               " for each other; an HcclSend pairs with an HcclRecv";
    const Header& s = mine.kind == static_cast<uint32_t>(Kind::Send) ? mine : peer;
    const Header& r = mine.kind == static_cast<uint32_t>(Kind::Send) ? peer : mine;
    if (s.dtype != r.dtype || s.count != r.count)
        return "what moves: rank " + std::to_string(s.rank) + " sends " + std::to_string(s.count) + " elements of " +
               dtype_text(s.dtype) + ", rank " + std::to_string(r.rank) + " receives " + std::to_string(r.count) +
               " elements of " + dtype_text(r.dtype);
    return "";
}

}  // namespace

std::string agree(Comm& c, const Collective& k) {
    const Header mine = header_of(c, k);
    std::vector<int> peers;
    if (point_to_point(mine.kind)) {
        peers.push_back(static_cast<int>(k.root));
    } else {
        for (uint32_t q = 0; q < c.size; ++q)
            if (q != c.rank) peers.push_back(static_cast<int>(q));
    }
    std::vector<Header> got(c.size);
    memset(got.data(), 0, got.size() * sizeof(Header));
    got[c.rank] = mine;
    Header out = mine;
    auto send = c.ctx->createUnboundBuffer(&out, sizeof out);
    auto recv = c.ctx->createUnboundBuffer(got.data(), got.size() * sizeof(Header));
    for (int q : peers) recv->recv(q, kHeaderSlot, static_cast<size_t>(q) * sizeof(Header), sizeof(Header));
    for (int q : peers) send->send(q, kHeaderSlot);
    for (size_t i = 0; i < peers.size(); ++i) {
        if (!recv->waitRecv(c.timeout)) throw std::runtime_error("the header exchange did not complete (receive)");
    }
    for (size_t i = 0; i < peers.size(); ++i) {
        if (!send->waitSend(c.timeout)) throw std::runtime_error("the header exchange did not complete (send)");
    }
    for (int q : peers) {
        const Header& h = got[q];
        if (h.magic != kHeaderMagic || h.rank != static_cast<uint32_t>(q))
            throw std::runtime_error("rank " + std::to_string(q) + " sent a damaged collective header");
    }
    if (point_to_point(mine.kind)) return differ_pair(mine, got[peers[0]]);
    // Rank 0 against every other, so every rank of the collective names the same disagreement.
    for (uint32_t q = 1; q < c.size; ++q) {
        std::string d = differ(got[0], got[q]);
        if (!d.empty()) return d;
    }
    return "";
}

}  // namespace hccl
}  // namespace sim
