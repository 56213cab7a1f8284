// Placeholder: compiles the AssemblyScript kernels once they exist.
