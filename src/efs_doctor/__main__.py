from efs_doctor.cli import main

raise SystemExit(main())
