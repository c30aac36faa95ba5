package dev.llcuda.nativelib;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.llcuda.gguf.TensorInfo;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A native array of {@code llcuda_tensor_desc} with NUL-terminated names, in native
 * memory held by this object while a load uses it.
 */
final class NativeTensorTable {

	private static final int DESC_SIZE = new LlcudaLibrary.TensorDescStruct().size();

	private final Memory table;

	private final Memory[] names;

	NativeTensorTable(List<TensorInfo> tensors) {
		table = new Memory((long) Math.max(tensors.size(), 1) * DESC_SIZE);
		names = new Memory[tensors.size()];
		for (int i = 0; i < tensors.size(); i++) {
			TensorInfo tensor = tensors.get(i);
			names[i] = new Memory(tensor.name().getBytes(StandardCharsets.UTF_8).length + 1L);
			names[i].setString(0, tensor.name(), "UTF-8");
			LlcudaLibrary.TensorDescStruct desc = new LlcudaLibrary.TensorDescStruct(table.share((long) i * DESC_SIZE));
			desc.name = names[i];
			desc.type = tensor.type().id();
			desc.n_dims = tensor.rank();
			for (int d = 0; d < 4; d++) {
				desc.ne[d] = tensor.dim(d);
			}
			desc.offset = tensor.offset();
			desc.size = tensor.byteSize();
			desc.write();
		}
	}

	Pointer pointer() {
		return table;
	}

}
