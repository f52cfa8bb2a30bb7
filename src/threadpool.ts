import { availableParallelism } from 'node:os';

// Password hashing (argon2) runs on libuv's thread pool, shared with file and DNS work. Its
// size is read once, when the pool first starts, so it must be set before anything uses it:
// this module is the first import of every entry point (docs/reference/pitfalls.md).
if (!process.env.UV_THREADPOOL_SIZE?.trim()) process.env.UV_THREADPOOL_SIZE = String(Math.max(4, Math.min(16, availableParallelism() * 2)));
