package dev.llcuda.gpu;

import java.util.List;

/**
 * The CUDA devices the native library can use, or why there are none.
 *
 * @param devices usable devices by ordinal
 * @param reasonNone why the list is empty ("no CUDA driver", "built without CUDA"); "" otherwise
 */
public record CudaInventory(List<CudaDevice> devices, String reasonNone) {

    public CudaInventory {
        devices = List.copyOf(devices);
    }

    public static CudaInventory none(String reason) {
        return new CudaInventory(List.of(), reason);
    }
}
