-- expect: warning (exit 0): DROP of a stream the script does not declare is not checked offline (it may exist on the node)
DROP STREAM nothing_here;
