"""torch.distributed Gloo all-reduce bandwidth, same CSV as AllReduceBenchmark.

Usage: allreduce_gloo.py NPROC SIZES_MIB(comma-separated) LEAST_REPETITIONS
"""
import socket
import sys
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp


def worker(rank, nproc, port, sizes, reps):
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}",
                            rank=rank, world_size=nproc)
    for mib in sizes:
        data = torch.zeros((mib << 20) // 4, dtype=torch.float32)
        for _ in range(max(5, 256 // mib)):
            dist.all_reduce(data)  # warm-up: at least 5 calls and 256 MiB, as the Java side does
        timed = max(reps, 1024 // mib)  # at least 1 GiB in all, as the Java side does
        dist.barrier()
        cpu_start = time.process_time()
        start = time.perf_counter()
        for _ in range(timed):
            dist.all_reduce(data)
        seconds = torch.tensor([(time.perf_counter() - start) / timed], dtype=torch.float64)
        cpu = torch.tensor([(time.process_time() - cpu_start) / timed], dtype=torch.float64)
        dist.all_reduce(seconds, op=dist.ReduceOp.MAX)
        dist.all_reduce(cpu)
        if rank == 0:
            nbytes = data.numel() * 4
            algbw = nbytes / seconds.item() / 1e9
            busbw = algbw * 2 * (nproc - 1) / nproc
            print(f"gloo,{nproc},{nbytes},{seconds.item():.6f},{algbw:.3f},{busbw:.3f},{cpu.item():.6f}", flush=True)
    dist.destroy_process_group()


def main():
    nproc, sizes, reps = int(sys.argv[1]), [int(s) for s in sys.argv[2].split(",")], int(sys.argv[3])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mp.spawn(worker, args=(nproc, port, sizes, reps), nprocs=nproc, join=True)


if __name__ == "__main__":
    main()
