// A small GGUF (v2/v3) reader and writer for the native tools and tests only: the library itself
// never parses GGUF (the Java side builds the model spec). Every length and offset read is checked
// against the file size; errors are std::runtime_error naming the file, offset and field.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace llcuda::tools {

enum class GgufValueType : uint32_t {
    U8 = 0,
    I8 = 1,
    U16 = 2,
    I16 = 3,
    U32 = 4,
    I32 = 5,
    F32 = 6,
    BOOL = 7,
    STRING = 8,
    ARRAY = 9,
    U64 = 10,
    I64 = 11,
    F64 = 12
};

struct GgufValue {
    GgufValueType type = GgufValueType::U8;
    int64_t integer = 0;  // integer and bool scalars
    double real = 0.0;    // float scalars
    std::string text;     // strings
    GgufValueType array_type = GgufValueType::U8;
    uint64_t array_count = 0;
    std::string raw;  // the whole serialized key/value entry, for copying it verbatim
};

struct GgufTensor {
    std::string name;
    int32_t type = 0;
    int32_t n_dims = 0;
    int64_t ne[4] = {1, 1, 1, 1};
    uint64_t offset = 0;  // absolute file offset
    uint64_t size = 0;    // bytes
};

class GgufFile {
  public:
    explicit GgufFile(const std::string &path);
    const std::string &path() const { return path_; }
    uint64_t file_size() const { return file_size_; }
    bool has(const std::string &key) const { return values_.count(key) != 0; }
    const GgufValue &value(const std::string &key) const;
    int64_t get_int(const std::string &key) const;
    int64_t get_int(const std::string &key, int64_t fallback) const;
    double get_real(const std::string &key, double fallback) const;
    std::string get_string(const std::string &key) const;
    const std::map<std::string, GgufValue> &values() const { return values_; }
    const std::vector<GgufTensor> &tensors() const { return tensors_; }
    const GgufTensor *find_tensor(const std::string &name) const;

  private:
    std::string path_;
    uint64_t file_size_ = 0;
    std::map<std::string, GgufValue> values_;
    std::vector<GgufTensor> tensors_;
};

// Writes a GGUF v3 file: metadata and tensor infos first, then each tensor's bytes in the order
// the infos were added (streamed, so multi-gigabyte models never sit in memory at once).
class GgufWriter {
  public:
    void add_raw(const std::string &serialized_entry) { kv_.push_back(serialized_entry); }
    void add_string(const std::string &key, const std::string &v);
    void add_u32(const std::string &key, uint32_t v);
    void add_f32(const std::string &key, float v);
    void add_bool(const std::string &key, bool v);
    // Returns the tensor's byte size.
    uint64_t add_tensor(const std::string &name, int32_t type, const std::vector<int64_t> &ne);
    // Opens the file and writes everything before the first tensor's data.
    void begin(const std::string &path);
    // Appends the next tensor's data (exactly its size) with the alignment padding.
    void write_tensor_data(const void *data, uint64_t bytes);
    void finish();
    ~GgufWriter();

  private:
    struct Info {
        std::string name;
        int32_t type;
        std::vector<int64_t> ne;
        uint64_t size, offset;
    };
    std::vector<std::string> kv_;
    std::vector<Info> infos_;
    uint64_t data_bytes_ = 0;
    size_t next_ = 0;
    std::FILE *out_ = nullptr;
    std::string path_;
};

}  // namespace llcuda::tools
