"""Access control: who may see what, who signed in, what they did."""
