# A small atf-sh program for jailkit's atf-sh stand-in (tests/atf_sh.py):
# one case per way a case can end, and the checks atf_check offers.

. $(atf_get_srcdir)/../common/pairs.subr

atf_test_case "checks" "cleanup"
checks_head()
{
	atf_set descr 'atf_check passes on what it expects'
	atf_set require.user root
}
checks_body()
{
	pair=$(make_pair)
	atf_check -s exit:0 -o match:"^${pair}a: flags=" ifconfig ${pair}a
	atf_check -s exit:1 -e inline:"ifconfig: interface nothere0 does not exist\n" \
	    ifconfig nothere0
	atf_check -s not-exit:0 -e ignore ifconfig nothere0
	atf_check -o save:saved echo kept
	atf_check -o file:saved echo kept
	atf_check -o inline:"kept\n" cat saved
	atf_check -o not-match:"^lost" -o match:kept cat saved
	atf_check -o inline:"1\n" -x "echo piped | grep -c piped"
	read first < pairs.made
	atf_check_equal "${pair}a" "${first}"
	atf_check_equal 4 $((2 + 2))
}
checks_cleanup()
{
	destroy_pairs
}

atf_test_case "mismatch"
mismatch_head()
{
	atf_set descr 'atf_check fails the case and says what differed'
}
mismatch_body()
{
	atf_check -o inline:"expected\n" echo actual
	echo "not reached" > reached
}

atf_test_case "missing"
missing_head()
{
	atf_set require.progs "sh no_such_program_here"
}
missing_body()
{
	atf_fail "a case whose program is missing does not run"
}

atf_test_case "known_bug"
known_bug_head()
{
	atf_set descr 'a failure that is expected'
}
known_bug_body()
{
	atf_expect_fail "PR 0: not fixed yet"
	atf_check_equal 1 2
}

atf_test_case "bad_status"
bad_status_head()
{
	atf_set descr 'a body that ends with a failing command'
}
bad_status_body()
{
	ifconfig nothere0 2>/dev/null
}

atf_test_case "skip_in_body"
skip_in_body_body()
{
	if ! kldstat -q -m no_such_module; then
		atf_skip "no_such_module is not loaded"
	fi
	atf_fail "not reached"
}

atf_test_case "background" "cleanup"
background_body()
{
	nc -l 5000 > received &
	listener=$!
	jobs -p > pids
	atf_check -o inline:"${listener}\n" cat pids
	echo hello | nc -N 127.0.0.1 5000
	wait ${listener}
	atf_check -o inline:"hello\n" cat received
	nc -l 5001 > /dev/null &
	kill %1
	wait %1 || echo "ended with $?" > ended
	atf_check -o inline:"ended with 143\n" cat ended
}
background_cleanup()
{
	# the cleanup runs in a process of its own, in the same directory
	test -f received || exit 1
}

atf_test_case "bad_cleanup" "cleanup"
bad_cleanup_body()
{
	:
}
bad_cleanup_cleanup()
{
	false
}

atf_init_test_cases()
{
	atf_add_test_case checks
	atf_add_test_case mismatch
	atf_add_test_case missing
	atf_add_test_case known_bug
	atf_add_test_case bad_status
	atf_add_test_case skip_in_body
	atf_add_test_case background
	atf_add_test_case bad_cleanup
}
