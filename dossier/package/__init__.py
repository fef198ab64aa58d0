"""Package: the output set of a build (manifest, atomic writes, edit protection) and PDFs."""
