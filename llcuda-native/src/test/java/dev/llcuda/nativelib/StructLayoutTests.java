package dev.llcuda.nativelib;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every JNA structure has the size and field offsets the C compiler gives the struct of
 * {@code llcuda.h}: a program compiled against the header prints them, and each field
 * written through JNA must land at the C offset.
 */
class StructLayoutTests {

	private static final Map<Class<? extends Structure>, String> STRUCTS = Map.of(LlcudaLibrary.DeviceInfoStruct.class,
			"llcuda_device_info", LlcudaLibrary.TensorDescStruct.class, "llcuda_tensor_desc",
			LlcudaLibrary.ModelSpecStruct.class, "llcuda_model_spec", LlcudaLibrary.SamplingParamsStruct.class,
			"llcuda_sampling_params", LlcudaLibrary.BatchStruct.class, "llcuda_batch",
			LlcudaLibrary.StepOutputStruct.class, "llcuda_step_output");

	@TempDir
	Path build;

	@Test
	void everyStructureMatchesTheHeadersLayout() throws Exception {
		Map<String, Long> layout = cLayout();
		for (Map.Entry<Class<? extends Structure>, String> entry : STRUCTS.entrySet()) {
			Structure struct = entry.getKey().getDeclaredConstructor().newInstance();
			String name = entry.getValue();
			assertEquals(layout.get(name), (long) struct.size(), "sizeof(" + name + ")");
			List<String> fields = fieldOrder(entry.getKey());
			for (int i = 0; i < fields.size(); i++) {
				mark(struct, fields.get(i), i + 1);
			}
			struct.write();
			for (int i = 0; i < fields.size(); i++) {
				String field = fields.get(i);
				long offset = layout.get(name + "." + field);
				assertEquals(i + 1, read(struct, field, offset), name + "." + field + " at offset " + offset);
			}
		}
	}

	private static List<String> fieldOrder(Class<? extends Structure> type) {
		return List.of(type.getAnnotation(Structure.FieldOrder.class).value());
	}

	/**
	 * Sets a field to a value that identifies it (numbers: {@code id}; arrays: first
	 * element).
	 */
	private static void mark(Structure struct, String name, int id) throws ReflectiveOperationException {
		Field field = struct.getClass().getField(name);
		Class<?> type = field.getType();
		if (type == int.class) {
			field.setInt(struct, id);
		}
		else if (type == long.class) {
			field.setLong(struct, id);
		}
		else if (type == float.class) {
			field.setFloat(struct, id);
		}
		else if (type == Pointer.class) {
			field.set(struct, new Pointer(id));
		}
		else if (type == byte[].class) {
			((byte[]) field.get(struct))[0] = (byte) id;
		}
		else if (type == long[].class) {
			((long[]) field.get(struct))[0] = id;
		}
		else {
			throw new AssertionError("no marker for " + type);
		}
	}

	private static long read(Structure struct, String name, long offset) throws ReflectiveOperationException {
		Class<?> type = struct.getClass().getField(name).getType();
		Pointer memory = struct.getPointer();
		if (type == int.class) {
			return memory.getInt(offset);
		}
		if (type == float.class) {
			return (long) memory.getFloat(offset);
		}
		if (type == byte[].class) {
			return memory.getByte(offset);
		}
		return memory.getLong(offset); // long, long[], Pointer (64-bit)
	}

	/**
	 * sizeof of each struct and offsetof of each field, from a C program built against
	 * llcuda.h.
	 */
	private Map<String, Long> cLayout() throws IOException, InterruptedException {
		StringBuilder program = new StringBuilder(
				"#include <stdio.h>\n#include <stddef.h>\n#include \"llcuda.h\"\nint main(void) {\n");
		for (Map.Entry<Class<? extends Structure>, String> entry : STRUCTS.entrySet()) {
			String name = entry.getValue();
			program.append("printf(\"%s %zu\\n\", \"").append(name).append("\", sizeof(").append(name).append("));\n");
			for (String field : fieldOrder(entry.getKey())) {
				program.append("printf(\"%s %zu\\n\", \"")
					.append(name)
					.append('.')
					.append(field)
					.append("\", offsetof(")
					.append(name)
					.append(", ")
					.append(field)
					.append("));\n");
			}
		}
		program.append("return 0;\n}\n");
		Path source = Files.writeString(build.resolve("layout.c"), program);
		Path binary = build.resolve("layout");
		run("cc", "-I", Path.of("native", "include").toAbsolutePath().toString(), "-o", binary.toString(),
				source.toString());
		Map<String, Long> layout = new HashMap<>();
		for (String line : run(binary.toString()).split("\n")) {
			String[] parts = line.split(" ");
			layout.put(parts[0], Long.parseLong(parts[1]));
		}
		return layout;
	}

	private static String run(String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertEquals(0, process.waitFor(), String.join(" ", command) + ": " + output);
		return output;
	}

}
