// Test-only: just enough GGUF reading to build an llcuda_model_spec for the micro models (the
// library itself never parses GGUF; the Java side does). Throws std::runtime_error on anything
// unexpected.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "llcuda.h"

namespace test_gguf {

struct Model {
    std::vector<std::string> names;
    std::vector<llcuda_tensor_desc> tensors;
    llcuda_model_spec spec{};
};

class Reader {
  public:
    explicit Reader(const std::string &path) {
        FILE *f = std::fopen(path.c_str(), "rb");
        if (f == nullptr) throw std::runtime_error("cannot open " + path);
        std::fseek(f, 0, SEEK_END);
        bytes_.resize(static_cast<size_t>(std::ftell(f)));
        std::fseek(f, 0, SEEK_SET);
        const size_t got = std::fread(bytes_.data(), 1, bytes_.size(), f);
        std::fclose(f);
        if (got != bytes_.size()) throw std::runtime_error("short read " + path);
    }

    Model read() {
        if (take<uint32_t>() != 0x46554747u) throw std::runtime_error("not GGUF");
        take<uint32_t>();  // version
        const uint64_t n_tensors = take<uint64_t>(), n_kv = take<uint64_t>();
        for (uint64_t i = 0; i < n_kv; ++i) {
            const std::string key = string();
            read_value(key, take<uint32_t>());
        }
        Model m;
        struct Info {
            uint32_t type;
            uint32_t n_dims;
            int64_t ne[4];
            uint64_t offset;
        };
        std::vector<Info> infos;
        for (uint64_t i = 0; i < n_tensors; ++i) {
            m.names.push_back(string());
            Info info{0, take<uint32_t>(), {1, 1, 1, 1}, 0};
            for (uint32_t d = 0; d < info.n_dims; ++d) info.ne[d] = static_cast<int64_t>(take<uint64_t>());
            info.type = take<uint32_t>();
            info.offset = take<uint64_t>();
            infos.push_back(info);
        }
        const uint64_t align =
            numbers_.count("general.alignment") ? static_cast<uint64_t>(numbers_["general.alignment"]) : 32;
        const uint64_t data_start = (pos_ + align - 1) / align * align;
        for (size_t i = 0; i < infos.size(); ++i) {
            llcuda_tensor_desc d{};
            d.type = static_cast<int32_t>(infos[i].type);
            d.n_dims = static_cast<int32_t>(infos[i].n_dims);
            std::memcpy(d.ne, infos[i].ne, sizeof d.ne);
            d.offset = data_start + infos[i].offset;
            const uint64_t next = i + 1 < infos.size() ? data_start + infos[i + 1].offset : bytes_.size();
            d.size = next - d.offset;  // overwritten by the caller with the exact size when padded
            m.tensors.push_back(d);
        }
        for (size_t i = 0; i < infos.size(); ++i) m.tensors[i].name = m.names[i].c_str();
        const std::string arch = strings_["general.architecture"];
        llcuda_model_spec &s = m.spec;
        s.arch = arch == "qwen2" ? LLCUDA_ARCH_QWEN2 : LLCUDA_ARCH_LLAMA;
        s.n_embd = num(arch + ".embedding_length");
        s.n_layer = num(arch + ".block_count");
        s.n_head = num(arch + ".attention.head_count");
        s.n_head_kv =
            numbers_.count(arch + ".attention.head_count_kv") ? num(arch + ".attention.head_count_kv") : s.n_head;
        s.head_dim = s.n_embd / s.n_head;
        s.n_ff = num(arch + ".feed_forward_length");
        s.n_ctx = num(arch + ".context_length");
        s.rope_type = s.arch == LLCUDA_ARCH_QWEN2 ? LLCUDA_ROPE_NEOX : LLCUDA_ROPE_NORMAL;
        s.rope_dim = numbers_.count(arch + ".rope.dimension_count") ? num(arch + ".rope.dimension_count") : s.head_dim;
        s.rope_theta = numbers_.count(arch + ".rope.freq_base") ? static_cast<float>(numbers_[arch + ".rope.freq_base"])
                                                                : 10000.0f;
        s.rope_freq_scale = 1.0f;
        s.rope_attn_factor = 1.0f;
        s.yarn_beta_fast = 32.0f;
        s.yarn_beta_slow = 1.0f;
        const std::string scaling =
            strings_.count(arch + ".rope.scaling.type") ? strings_[arch + ".rope.scaling.type"] : "";
        if (scaling == "yarn") {
            s.rope_scaling = LLCUDA_ROPE_SCALING_YARN;
            s.rope_freq_scale = static_cast<float>(1.0 / numbers_[arch + ".rope.scaling.factor"]);
            s.rope_orig_ctx = num(arch + ".rope.scaling.original_context_length");
            s.yarn_ext_factor = 1.0f;
        } else if (!scaling.empty()) {
            throw std::runtime_error("test GGUF reader: RoPE scaling " + scaling + " unsupported");
        } else if (std::find(m.names.begin(), m.names.end(), "rope_freqs.weight") != m.names.end()) {
            s.rope_scaling = LLCUDA_ROPE_SCALING_LLAMA3;
        }
        s.rms_eps = static_cast<float>(numbers_[arch + ".attention.layer_norm_rms_epsilon"]);
        s.n_vocab = static_cast<int32_t>(numbers_["tokenizer.ggml.tokens"]);
        s.n_tensors = static_cast<int32_t>(m.tensors.size());
        s.tensors = m.tensors.data();
        return m;
    }

  private:
    template <class T>
    T take() {
        if (pos_ + sizeof(T) > bytes_.size()) throw std::runtime_error("truncated GGUF");
        T v;
        std::memcpy(&v, bytes_.data() + pos_, sizeof v);
        pos_ += sizeof v;
        return v;
    }
    std::string string() {
        const uint64_t n = take<uint64_t>();
        if (pos_ + n > bytes_.size()) throw std::runtime_error("truncated GGUF string");
        std::string s(reinterpret_cast<const char *>(bytes_.data() + pos_), n);
        pos_ += n;
        return s;
    }
    int32_t num(const std::string &key) {
        if (!numbers_.count(key)) throw std::runtime_error("GGUF key missing: " + key);
        return static_cast<int32_t>(numbers_[key]);
    }
    double scalar(uint32_t type) {
        switch (type) {
            case 0:
                return take<uint8_t>();
            case 1:
                return take<int8_t>();
            case 2:
                return take<uint16_t>();
            case 3:
                return take<int16_t>();
            case 4:
                return take<uint32_t>();
            case 5:
                return take<int32_t>();
            case 6:
                return take<float>();
            case 7:
                return take<uint8_t>();
            case 10:
                return static_cast<double>(take<uint64_t>());
            case 11:
                return static_cast<double>(take<int64_t>());
            case 12:
                return take<double>();
            default:
                throw std::runtime_error("bad GGUF value type " + std::to_string(type));
        }
    }
    void read_value(const std::string &key, uint32_t type) {
        if (type == 8) {
            strings_[key] = string();
        } else if (type == 9) {
            const uint32_t item = take<uint32_t>();
            const uint64_t n = take<uint64_t>();
            for (uint64_t i = 0; i < n; ++i) {
                if (item == 8)
                    string();
                else
                    scalar(item);
            }
            numbers_[key] = static_cast<double>(n);  // arrays: remember their length
        } else {
            numbers_[key] = scalar(type);
        }
    }

    std::vector<uint8_t> bytes_;
    size_t pos_ = 0;
    std::map<std::string, double> numbers_;
    std::map<std::string, std::string> strings_;
};

// Reads a reference file (gzip text): line 1 token ids, then one logits row per position.
inline bool read_reference(const std::string &path, std::vector<int32_t> &tokens,
                           std::vector<std::vector<double>> &rows) {
    FILE *p = popen(("gzip -dc '" + path + "'").c_str(), "r");
    if (p == nullptr) return false;
    std::string text;
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
    if (pclose(p) != 0 || text.empty()) return false;
    size_t start = 0;
    bool first = true;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        const std::string line = text.substr(start, end - start);
        start = end + 1;
        if (line.empty()) continue;
        const char *c = line.c_str();
        char *next = nullptr;
        std::vector<double> values;
        for (double v = std::strtod(c, &next); next != c; v = std::strtod(c, &next)) {
            values.push_back(v);
            c = next;
        }
        if (first) {
            for (double v : values) tokens.push_back(static_cast<int32_t>(v));
            first = false;
        } else {
            rows.push_back(values);
        }
    }
    return true;
}

}  // namespace test_gguf
