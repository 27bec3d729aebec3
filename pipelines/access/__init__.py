"""Who may see what, who signed in, what they did."""
# Stand-in of branch h14a's room (issue 14 shared design); replaced on merge.
