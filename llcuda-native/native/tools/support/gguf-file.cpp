#include "gguf-file.h"

#include <cstring>
#include <fstream>
#include <stdexcept>

#include "ggml_blocks.h"

namespace llcuda::tools {
namespace {

constexpr uint32_t kMagic = 0x46554747u;  // "GGUF" little-endian
constexpr uint64_t kAlignment = 32;       // general.alignment default

class Cursor {
  public:
    Cursor(const std::string &path, const std::vector<char> &bytes) : path_(path), bytes_(bytes) {}
    uint64_t pos() const { return pos_; }
    void need(uint64_t n, const char *what) const {
        if (n > bytes_.size() || pos_ > bytes_.size() - n)
            throw std::runtime_error(path_ + ": " + what + " at offset " + std::to_string(pos_) +
                                     " runs past the end of the file");
    }
    template <typename T>
    T read(const char *what) {
        need(sizeof(T), what);
        T v;
        std::memcpy(&v, bytes_.data() + pos_, sizeof(T));
        pos_ += sizeof(T);
        return v;
    }
    std::string string(const char *what) {
        const uint64_t n = read<uint64_t>(what);
        need(n, what);
        std::string s(bytes_.data() + pos_, n);
        pos_ += n;
        return s;
    }
    void skip(uint64_t n, const char *what) {
        need(n, what);
        pos_ += n;
    }
    const std::string &path() const { return path_; }

  private:
    const std::string &path_;
    const std::vector<char> &bytes_;
    uint64_t pos_ = 0;
};

uint64_t scalar_size(GgufValueType t, const Cursor &c) {
    switch (t) {
        case GgufValueType::U8:
        case GgufValueType::I8:
        case GgufValueType::BOOL:
            return 1;
        case GgufValueType::U16:
        case GgufValueType::I16:
            return 2;
        case GgufValueType::U32:
        case GgufValueType::I32:
        case GgufValueType::F32:
            return 4;
        case GgufValueType::U64:
        case GgufValueType::I64:
        case GgufValueType::F64:
            return 8;
        default:
            throw std::runtime_error(c.path() + ": unknown value type " + std::to_string(static_cast<uint32_t>(t)) +
                                     " at offset " + std::to_string(c.pos()));
    }
}

void read_scalar(Cursor &c, GgufValueType t, GgufValue &v) {
    switch (t) {
        case GgufValueType::U8:
            v.integer = c.read<uint8_t>("u8");
            break;
        case GgufValueType::I8:
            v.integer = c.read<int8_t>("i8");  // NOLINT(bugprone-signed-char-misuse): I8 is signed
            break;
        case GgufValueType::BOOL:
            v.integer = c.read<uint8_t>("bool");
            break;
        case GgufValueType::U16:
            v.integer = c.read<uint16_t>("u16");
            break;
        case GgufValueType::I16:
            v.integer = c.read<int16_t>("i16");
            break;
        case GgufValueType::U32:
            v.integer = c.read<uint32_t>("u32");
            break;
        case GgufValueType::I32:
            v.integer = c.read<int32_t>("i32");
            break;
        case GgufValueType::U64:
            v.integer = static_cast<int64_t>(c.read<uint64_t>("u64"));
            break;
        case GgufValueType::I64:
            v.integer = c.read<int64_t>("i64");
            break;
        case GgufValueType::F32:
            v.real = c.read<float>("f32");
            break;
        case GgufValueType::F64:
            v.real = c.read<double>("f64");
            break;
        case GgufValueType::STRING:
            v.text = c.string("string value");
            break;
        default:
            scalar_size(t, c);
    }
}

void put_bytes(std::string &s, const void *p, size_t n) {
    s.append(static_cast<const char *>(p), n);
}
void put_string(std::string &s, const std::string &v) {
    const uint64_t n = v.size();
    put_bytes(s, &n, 8);
    s += v;
}
std::string entry_head(const std::string &key, GgufValueType t) {
    std::string s;
    put_string(s, key);
    const uint32_t ty = static_cast<uint32_t>(t);
    put_bytes(s, &ty, 4);
    return s;
}

}  // namespace

GgufFile::GgufFile(const std::string &path) : path_(path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw std::runtime_error(path + ": cannot open");
    file_size_ = static_cast<uint64_t>(in.tellg());
    // The header is at most the metadata plus the tensor table: read up to 64 MiB of it.
    const uint64_t head = file_size_ < (64ull << 20) ? file_size_ : (64ull << 20);
    std::vector<char> bytes(head);
    in.seekg(0);
    in.read(bytes.data(), static_cast<std::streamsize>(head));
    Cursor c(path_, bytes);
    if (c.read<uint32_t>("magic") != kMagic) throw std::runtime_error(path + ": not a GGUF file (bad magic)");
    const uint32_t version = c.read<uint32_t>("version");
    if (version < 2 || version > 3)
        throw std::runtime_error(path + ": GGUF version " + std::to_string(version) + " unsupported");
    const uint64_t n_tensors = c.read<uint64_t>("tensor count");
    const uint64_t n_kv = c.read<uint64_t>("metadata count");
    if (n_tensors > 1'000'000 || n_kv > 1'000'000)
        throw std::runtime_error(path + ": implausible tensor/metadata counts");
    for (uint64_t i = 0; i < n_kv; ++i) {
        const uint64_t start = c.pos();
        const std::string key = c.string("metadata key");
        GgufValue v;
        v.type = static_cast<GgufValueType>(c.read<uint32_t>("value type"));
        if (v.type == GgufValueType::ARRAY) {
            v.array_type = static_cast<GgufValueType>(c.read<uint32_t>("array type"));
            v.array_count = c.read<uint64_t>("array count");
            for (uint64_t j = 0; j < v.array_count; ++j) {
                if (v.array_type == GgufValueType::STRING)
                    c.string("array string");
                else
                    c.skip(scalar_size(v.array_type, c), "array item");
            }
        } else {
            read_scalar(c, v.type, v);
        }
        v.raw.assign(bytes.data() + start, c.pos() - start);
        values_[key] = std::move(v);
    }
    for (uint64_t i = 0; i < n_tensors; ++i) {
        GgufTensor t;
        t.name = c.string("tensor name");
        const uint32_t n_dims = c.read<uint32_t>("tensor n_dims");
        if (n_dims < 1 || n_dims > 4)
            throw std::runtime_error(path + ": tensor " + t.name + " has " + std::to_string(n_dims) + " dims");
        t.n_dims = static_cast<int32_t>(n_dims);
        for (uint32_t d = 0; d < n_dims; ++d) t.ne[d] = static_cast<int64_t>(c.read<uint64_t>("tensor dim"));
        t.type = static_cast<int32_t>(c.read<uint32_t>("tensor type"));
        t.offset = c.read<uint64_t>("tensor offset");
        const TypeTraits *traits = type_traits(t.type);
        if (!traits)
            throw std::runtime_error(path + ": tensor " + t.name + " has unsupported type " + std::to_string(t.type));
        t.size = row_bytes(t.type, t.ne[0]) * static_cast<uint64_t>(t.ne[1] * t.ne[2] * t.ne[3]);
        tensors_.push_back(t);
    }
    const uint64_t alignment = static_cast<uint64_t>(get_int("general.alignment", kAlignment));
    const uint64_t data_start = (c.pos() + alignment - 1) / alignment * alignment;
    for (GgufTensor &t : tensors_) {
        t.offset += data_start;
        if (t.offset > file_size_ || t.size > file_size_ - t.offset)
            throw std::runtime_error(path + ": tensor " + t.name + " [" + std::to_string(t.offset) + ", +" +
                                     std::to_string(t.size) + ") lies beyond the file (" + std::to_string(file_size_) +
                                     " bytes)");
    }
}

const GgufValue &GgufFile::value(const std::string &key) const {
    auto it = values_.find(key);
    if (it == values_.end()) throw std::runtime_error(path_ + ": metadata key " + key + " is missing");
    return it->second;
}

int64_t GgufFile::get_int(const std::string &key) const {
    return value(key).integer;
}
int64_t GgufFile::get_int(const std::string &key, int64_t fallback) const {
    return has(key) ? get_int(key) : fallback;
}
double GgufFile::get_real(const std::string &key, double fallback) const {
    return has(key) ? value(key).real : fallback;
}
std::string GgufFile::get_string(const std::string &key) const {
    return value(key).text;
}

const GgufTensor *GgufFile::find_tensor(const std::string &name) const {
    for (const GgufTensor &t : tensors_)
        if (t.name == name) return &t;
    return nullptr;
}

void GgufWriter::add_string(const std::string &key, const std::string &v) {
    std::string s = entry_head(key, GgufValueType::STRING);
    put_string(s, v);
    kv_.push_back(s);
}

void GgufWriter::add_u32(const std::string &key, uint32_t v) {
    std::string s = entry_head(key, GgufValueType::U32);
    put_bytes(s, &v, 4);
    kv_.push_back(s);
}

void GgufWriter::add_f32(const std::string &key, float v) {
    std::string s = entry_head(key, GgufValueType::F32);
    put_bytes(s, &v, 4);
    kv_.push_back(s);
}

void GgufWriter::add_bool(const std::string &key, bool v) {
    std::string s = entry_head(key, GgufValueType::BOOL);
    const uint8_t byte = v ? 1 : 0;
    put_bytes(s, &byte, 1);
    kv_.push_back(s);
}

uint64_t GgufWriter::add_tensor(const std::string &name, int32_t type, const std::vector<int64_t> &ne) {
    uint64_t rows = 1;
    for (size_t i = 1; i < ne.size(); ++i) rows *= static_cast<uint64_t>(ne[i]);
    const uint64_t size = row_bytes(type, ne[0]) * rows;
    infos_.push_back({name, type, ne, size, data_bytes_});
    data_bytes_ += (size + kAlignment - 1) / kAlignment * kAlignment;
    return size;
}

void GgufWriter::begin(const std::string &path) {
    path_ = path;
    out_ = std::fopen(path.c_str(), "wb");
    if (!out_) throw std::runtime_error(path + ": cannot create");
    std::string h;
    const uint32_t magic = kMagic, version = 3;
    const uint64_t n_tensors = infos_.size(), n_kv = kv_.size();
    put_bytes(h, &magic, 4);
    put_bytes(h, &version, 4);
    put_bytes(h, &n_tensors, 8);
    put_bytes(h, &n_kv, 8);
    for (const std::string &e : kv_) h += e;
    for (const Info &i : infos_) {
        put_string(h, i.name);
        const uint32_t n_dims = static_cast<uint32_t>(i.ne.size());
        put_bytes(h, &n_dims, 4);
        for (int64_t d : i.ne) {
            const uint64_t u = static_cast<uint64_t>(d);
            put_bytes(h, &u, 8);
        }
        const uint32_t ty = static_cast<uint32_t>(i.type);
        put_bytes(h, &ty, 4);
        put_bytes(h, &i.offset, 8);
    }
    h.resize((h.size() + kAlignment - 1) / kAlignment * kAlignment, '\0');
    if (std::fwrite(h.data(), 1, h.size(), out_) != h.size()) throw std::runtime_error(path + ": write failed");
}

void GgufWriter::write_tensor_data(const void *data, uint64_t bytes) {
    if (next_ >= infos_.size() || bytes != infos_[next_].size)
        throw std::runtime_error(path_ + ": tensor data out of order or of the wrong size");
    const uint64_t padded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
    static const char zeros[kAlignment] = {};
    if (std::fwrite(data, 1, bytes, out_) != bytes || std::fwrite(zeros, 1, padded - bytes, out_) != padded - bytes)
        throw std::runtime_error(path_ + ": write failed (disk full?)");
    ++next_;
}

void GgufWriter::finish() {
    if (next_ != infos_.size())
        throw std::runtime_error(path_ + ": " + std::to_string(infos_.size() - next_) + " tensors unwritten");
    if (std::fclose(out_) != 0) {
        out_ = nullptr;
        throw std::runtime_error(path_ + ": close failed");
    }
    out_ = nullptr;
}

GgufWriter::~GgufWriter() {
    if (out_) std::fclose(out_);
}

}  // namespace llcuda::tools
